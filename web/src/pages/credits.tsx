import { useEffect, useMemo, useState } from 'preact/hooks';
import { createCheckout, getAccount, listCreditPacks, listPayments, ok, type CreditPackDto, type PaymentDto } from '../api';
import { Link } from '../router';
import { Button, formatCredits, formatMoney, Loaded, Pager, Problem, ProgressBar, Status, Time, useAction, useLoad, usePages } from '../ui';

/** An Idempotency-Key for one purchase attempt: a double click or a retried request opens one session. */
function purchaseKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dashboard-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function Pack({ pack }: { pack: CreditPackDto }) {
  const idempotencyKey = useMemo(purchaseKey, [pack.id]);
  const action = useAction();
  const buy = () =>
    void action.run(async () => {
      const checkout = await ok(createCheckout({ body: { pack_id: pack.id }, headers: { 'Idempotency-Key': idempotencyKey } }));
      location.assign(checkout.checkout_url);
      // Stay busy while the browser leaves for Stripe.
      await new Promise(() => undefined);
    });
  return (
    <div class="pack card" data-pack-id={pack.id}>
      <h3>{pack.name}</h3>
      <p class="big">{formatMoney(pack.amount, pack.currency)}</p>
      <p class="muted">
        {formatCredits(pack.credits)} · {formatMoney(pack.amount / pack.credits, pack.currency, true)} a credit
      </p>
      <Button busy={action.busy} onClick={buy}>
        {action.busy ? 'Going to Stripe Checkout…' : 'Buy'}
      </Button>
      <Problem error={action.error} />
    </div>
  );
}

function Payments() {
  const pages = usePages();
  const { cursor } = pages;
  const payments = useLoad((signal) => ok(listPayments({ query: { cursor, limit: 25 }, signal })), [cursor]);
  return (
    <div class="card">
      <h2>Payments</h2>
      <Loaded state={payments}>
        {(page) =>
          page.data.length ? (
            <>
              <div class="table-wrap">
                <table class="payments">
                  <thead>
                    <tr>
                      <th>Date</th>
                      <th>Pack</th>
                      <th class="num">Credits</th>
                      <th class="num">Amount</th>
                      <th>Status</th>
                      <th>Paid</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((p) => (
                      <PaymentRow key={p.session_id} p={p} />
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager pages={pages} next={page.next_cursor} />
            </>
          ) : (
            <p class="muted">No payments yet.</p>
          )
        }
      </Loaded>
    </div>
  );
}

function PaymentRow({ p }: { p: PaymentDto }) {
  return (
    <tr>
      <td>
        <Time iso={p.created_at} />
      </td>
      <td>{p.pack_id}</td>
      <td class="num">
        {p.credits.toLocaleString()}
        {p.credits_reversed ? <small class="muted"> ({p.credits_reversed.toLocaleString()} taken back)</small> : null}
      </td>
      <td class="num">
        {formatMoney(p.amount, p.currency)}
        {p.amount_refunded ? <small class="muted"> ({formatMoney(p.amount_refunded, p.currency)} refunded)</small> : null}
      </td>
      <td>
        <Status status={p.status} />
      </td>
      <td>
        <Time iso={p.paid_at} />
      </td>
    </tr>
  );
}

export function CreditsPage({ canceled }: { canceled: boolean }) {
  const account = useLoad((signal) => ok(getAccount({ signal })), []);
  const packs = useLoad((signal) => ok(listCreditPacks({ signal })), []);
  return (
    <section>
      <h1>Credits</h1>
      {canceled ? <p class="muted">The checkout was canceled; nothing was charged.</p> : null}
      <Loaded state={account}>{(a) => <p class="big">Balance: {formatCredits(a.balance)}</p>}</Loaded>
      <Loaded state={packs}>
        {(list) => (
          <div class="packs">
            {list.data.map((p) => (
              <Pack key={p.id} pack={p} />
            ))}
          </div>
        )}
      </Loaded>
      <Payments />
    </section>
  );
}

const WAIT_MS = 180_000;

/**
 * Where Stripe sends the customer after paying: waits for Stripe's event to credit the account
 * (set BILLING_SUCCESS_URL to …/app/credits/success?session_id={CHECKOUT_SESSION_ID}).
 */
export function PaymentSuccessPage({ sessionId }: { sessionId: string | null }) {
  const [payment, setPayment] = useState<PaymentDto>();
  const [error, setError] = useState<unknown>();
  const [waited, setWaited] = useState(0);
  const [balance, setBalance] = useState<number>();
  useEffect(() => {
    if (!sessionId) return;
    const stop = new AbortController();
    const started = Date.now();
    void (async () => {
      while (!stop.signal.aborted && Date.now() - started < WAIT_MS) {
        try {
          const page = await ok(listPayments({ query: { limit: 25 }, signal: stop.signal }));
          const found = page.data.find((p) => p.session_id === sessionId);
          setPayment(found);
          setError(undefined);
          if (found && found.status !== 'open') {
            if (found.status === 'paid') setBalance((await ok(getAccount({ signal: stop.signal }))).balance);
            return;
          }
        } catch (err) {
          if (stop.signal.aborted) return;
          setError(err);
        }
        setWaited(Date.now() - started);
        await new Promise((r) => setTimeout(r, 1500));
      }
    })();
    return () => stop.abort();
  }, [sessionId]);
  const settled = payment && payment.status !== 'open';
  return (
    <section>
      <h1>Thank you</h1>
      {!sessionId ? (
        <p class="problem">This page expects a session_id: the payment is listed under Credits.</p>
      ) : !settled ? (
        <div class="card" data-testid="awaiting-payment">
          <p>Waiting for Stripe to confirm the payment; the credits arrive as soon as it does.</p>
          <ProgressBar label="Waiting for the payment" />
          {waited >= WAIT_MS - 2000 ? <p class="problem">Stripe has not confirmed the payment yet. It will be credited when it does; check Payments later.</p> : null}
        </div>
      ) : payment.status === 'paid' ? (
        <div class="card ok" data-testid="payment-credited">
          <p class="big">{formatCredits(payment.credits)} added.</p>
          {balance !== undefined ? <p>Your balance is now {formatCredits(balance)}.</p> : null}
        </div>
      ) : (
        <p class="problem">
          The payment is <Status status={payment.status} />: nothing was credited.
        </p>
      )}
      <Problem error={error} />
      <p>
        <Link to="/credits">Credits and payments</Link> · <Link to="/">Overview</Link>
      </p>
    </section>
  );
}
