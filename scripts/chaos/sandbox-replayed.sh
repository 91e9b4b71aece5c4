#!/usr/bin/env bash
# The sandbox gateway's webhooks delivered three times and out of order, throughout the rush:
# the sandbox delivers each itself once due, and sandbox_replay.py sends each twice more over
# HTTP once due, each copy after a wait of its own of up to 3 s. Three payers in ten have
# their first card declined (a failed attempt whose copies can arrive after the good one's),
# three in ten are confirmed only after the sandbox's 10 s delay, and one in ten of those who
# paid cancel, so refunds' webhooks are replayed too. No payment may confirm twice or be undone
# by a stale failure, and no refund settle twice; the sandbox's own books and the service must
# agree on every payment (gateway_paid.py), and the server must accept every copy.
source "$(dirname "$0")/common.sh"
export SANDBOX_WEBHOOK_SECRET=whsec_district_chaos_sandbox
set_mode replay
pair
# Each webhook the sandbox queues is copied for the replayer; the copy is not the sandbox's.
psql -qX -v ON_ERROR_STOP=1 "$DATABASE_URL" >>"$log" <<'SQL' || die "could not copy the sandbox's webhooks"
CREATE TABLE chaos_sandbox_webhooks (body bytea NOT NULL, deliver_at timestamptz NOT NULL);
CREATE FUNCTION chaos_copy_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO chaos_sandbox_webhooks VALUES (NEW.body, NEW.deliver_at); RETURN NEW; END $$;
CREATE TRIGGER chaos_copy_webhook AFTER INSERT ON sandbox_deliveries
  FOR EACH ROW EXECUTE FUNCTION chaos_copy_webhook();
SQL
python3 scripts/chaos/sandbox_replay.py "$mode_file" "$url/api/v1/payments/webhook/sandbox" \
  "$DATABASE_URL" >"target/chaos/$fault.faults.txt" 2>>"$log" &
gateway_pid=$!
agree() {
  ! grep -q "^refused" "target/chaos/$fault.faults.txt" &&
    python3 scripts/chaos/gateway_paid.py sandbox - "$DATABASE_URL"
}
rush_args=(--declined-percent 30 --delayed-percent 30 --refund-percent 10)
rush
finish "-"
