import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** The response DTO of a list endpoint: `PageOf(UserDto)` is documented as `UserPageDto`. */
export function PageOf<T>(item: Type<T>) {
  class PageDto {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
    nextCursor: string | null;
  }
  Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageDto;
}
