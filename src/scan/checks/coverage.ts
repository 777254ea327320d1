/**
 * What a scan must have seen of an operation before the absence of a finding means anything.
 * Each check names the conditions its verdict rests on (`Check.undecided`); a retest passes a
 * fix only when they hold, so "nobody got anything" from a broken target is never read as fixed.
 * Each function returns why the condition fails, or undefined when it holds.
 */
import type { Operation } from '../../core/model.ts';
import type { Observation, ScanContext } from '../context.ts';
import { isSuccess } from '../context.ts';
import { recordsOf, recordsWithId } from '../records.ts';

function label(operation: Operation): string {
  return `${operation.method} ${operation.path}`;
}

function observationsOf(context: ScanContext, operation: Operation): Observation[] {
  return context.observations.filter((o) => o.operation.id === operation.id && o.purpose !== 'write');
}

/** Some identity received its own record: the operation works, so others' refusals mean something. */
export function ownerServed(context: ScanContext, operation: Operation): string | undefined {
  const served = observationsOf(context, operation).some((o) => {
    const owner = o.purpose === 'owner' && o.subject !== undefined ? context.people.get(o.subject) : undefined;
    return owner !== undefined && isSuccess(o.exchange) && recordsOf(o.exchange.response?.json, owner.id).length > 0;
  });
  return served ? undefined : `no identity received its own record from ${label(operation)}, so a refusal cannot be told from a broken route or target`;
}

/** Some identity received data at all: the operation answers someone. */
export function someoneServed(context: ScanContext, operation: Operation): string | undefined {
  const served = observationsOf(context, operation).some((o) => o.caller !== 'anonymous' && isSuccess(o.exchange) && o.exchange.response?.json !== undefined);
  return served ? undefined : `no identity received data from ${label(operation)}, so a refusal cannot be told from a broken route or target`;
}

/** A search or bulk call returned records to someone: lists work, so an empty one means something. */
export function listServed(context: ScanContext, operation: Operation): string | undefined {
  const served = observationsOf(context, operation).some((o) => o.purpose === 'list' && isSuccess(o.exchange) && recordsWithId(o.exchange.response?.json).length > 0);
  return served ? undefined : `no search or bulk call to ${label(operation)} returned any record, to any identity`;
}

/** Anonymous asked and was answered (refused counts as answered). */
export function anonymousAsked(context: ScanContext, operation: Operation): string | undefined {
  const asked = observationsOf(context, operation).some((o) => o.caller === 'anonymous' && o.exchange.response !== undefined);
  return asked ? undefined : `no anonymous request to ${label(operation)} was answered`;
}

/**
 * A member who is neither the subject nor one of their followers asked for someone's record: the
 * "unrelated user" of a verification.
 */
export function strangerAsked(context: ScanContext, operation: Operation, subjectIsPrivate = false): string | undefined {
  const asked = observationsOf(context, operation).some((o) => {
    if (o.purpose !== 'cross' || o.caller === 'anonymous' || o.subject === undefined) return false;
    const caller = context.people.get(o.caller);
    const subject = context.people.get(o.subject);
    return caller?.role === 'user' && subject !== undefined && (!subjectIsPrivate || subject.private) && !subject.followers.has(o.caller) && o.exchange.response !== undefined;
  });
  if (asked) return undefined;
  return subjectIsPrivate
    ? `no member asked ${label(operation)} for a private profile they do not follow: mark one identity private (scan.subjects.NAME.private) and give the scan another member`
    : `no member asked ${label(operation)} for someone else's record: the scan needs at least two member identities`;
}

/** The first reason in a list of conditions, in order. */
export function firstGap(...reasons: (string | undefined)[]): string | undefined {
  return reasons.find((reason) => reason !== undefined);
}
