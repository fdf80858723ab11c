import { Global, Module } from '@nestjs/common';
import { ReadinessChecks } from './readiness-checks.js';

@Global()
@Module({ providers: [ReadinessChecks], exports: [ReadinessChecks] })
export class ReadinessModule {}
