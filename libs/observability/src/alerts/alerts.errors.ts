import { DomainException } from '@app/core';

export function alertChannelNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'ALERT_CHANNEL_NOT_FOUND', title: 'Alert channel not found', detail: `No alert channel has id ${id}.` });
}

export function alertChannelNameTaken(name: string): DomainException {
  return new DomainException({ status: 409, code: 'ALERT_CHANNEL_NAME_TAKEN', title: 'Alert channel name taken', detail: `An alert channel is already named ${name}.` });
}

export function alertRuleNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'ALERT_RULE_NOT_FOUND', title: 'Alert rule not found', detail: `No alert rule has id ${id}.` });
}

export function alertRuleNameTaken(name: string): DomainException {
  return new DomainException({ status: 409, code: 'ALERT_RULE_NAME_TAKEN', title: 'Alert rule name taken', detail: `An alert rule is already named ${name}.` });
}

export function alertNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'ALERT_NOT_FOUND', title: 'Alert not found', detail: `No alert has id ${id}.` });
}

/** Environment rows change with their ALERT_* variables; the API may only switch them on and off. */
export function managedByEnvironment(what: 'channel' | 'rule', name: string): DomainException {
  return new DomainException({
    status: 409,
    code: 'ALERT_MANAGED_BY_ENVIRONMENT',
    title: `Alert ${what} managed by the environment`,
    detail: `The alert ${what} ${name} comes from the server's environment: change or remove it there. Through the API only "enabled" can change.`,
  });
}

export function alertChannelTestFailed(name: string, error: string): DomainException {
  return new DomainException({
    status: 502,
    code: 'ALERT_CHANNEL_TEST_FAILED',
    title: 'Test notification not delivered',
    detail: `The channel ${name} did not accept the test notification: ${error}`,
  });
}
