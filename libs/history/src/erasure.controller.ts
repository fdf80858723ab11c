import { Controller, Delete } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, CurrentActor, RequireScopes, type Actor } from '@app/users';
import { ErasureCounts, HistoryErasureService } from './history-erasure.service.js';

export class ErasureDto implements ErasureCounts {
  @ApiProperty({ type: 'integer' })
  conversations: number;

  @ApiProperty({ type: 'integer' })
  messages: number;

  @ApiProperty({ type: 'integer' })
  toolInvocations: number;
}

@ApiTags('history')
@ApiKeyAuth()
@Controller('users/me/history')
export class ErasureController {
  constructor(private readonly erasure: HistoryErasureService) {}

  /** Right to erasure: conversations, messages and tool invocations of the caller; the account itself stays. */
  @Delete()
  @RequireScopes('history:write')
  @ApiOperation({ summary: 'Erase all your history' })
  @ApiOkResponse({ type: ErasureDto, description: 'What was erased' })
  eraseOwn(@CurrentActor() actor: Actor): Promise<ErasureDto> {
    return this.erasure.eraseOwn(actor);
  }
}
