import { AppError } from '../../errors.js';
import type { StoredResponse } from '../../platform/http/idempotency.js';
import type { ChargeOutcome } from './charges.repository.js';

/**
 * Turns the outcome of a charge into what the client gets: the fresh response, the stored
 * first response for a repeated Idempotency-Key, 409 for a key reused with another body,
 * or 402 with what was required and what is available (or the key's cap and spend).
 */
export function settleCharge(outcome: ChargeOutcome, price: number, fresh?: StoredResponse): StoredResponse {
  switch (outcome.kind) {
    case 'charged':
      if (!fresh) throw new Error('a charge needs the response it paid for');
      return fresh;
    case 'replay':
      return outcome.response;
    case 'key_reused':
      throw new AppError('conflict', 'This Idempotency-Key was already used with a different request');
    case 'insufficient':
      throw new AppError('insufficient_credits', 'Insufficient credits', { required: price, available: outcome.available });
    case 'owed':
      throw new AppError('credits_owed', 'A refunded or disputed purchase took back credits that were already spent; buy credits to pay them before starting paid work', {
        owed: outcome.owed,
      });
    case 'key_limit':
      throw new AppError(
        'key_limit_reached',
        `This API key may spend ${outcome.limit} credits a month and has spent ${outcome.spent}; this request costs ${price}. Use another key or raise its limit`,
        { limit: outcome.limit, spent: outcome.spent },
      );
    default: {
      const never: never = outcome;
      throw new Error(`unexpected charge outcome ${JSON.stringify(never)}`);
    }
  }
}
