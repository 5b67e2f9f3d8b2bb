-- Events waiting to be published: written in the same transaction as the state change they
-- announce, published by any service process (a broker outage delays work, never loses it).
CREATE TABLE outbox (
    event_id      bigserial PRIMARY KEY,
    topic         text NOT NULL,
    key           text NOT NULL,
    payload       jsonb NOT NULL,
    batch_id      uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);
CREATE INDEX outbox_pending_idx ON outbox (event_id) WHERE published_at IS NULL;
CREATE INDEX outbox_batch_pending_idx ON outbox (batch_id) WHERE published_at IS NULL;

-- Who holds a stage claim (the instance id of a service process) and when the batch was last
-- announced for its current stage (the sweep re-announces a batch at most once a lease).
ALTER TABLE batch ADD COLUMN claimed_by text;
ALTER TABLE batch ADD COLUMN announced_at timestamptz;

-- Records pass 2 counted in each file of a batch: a batch is parsed only when some file gave
-- readable records (a corrupt gzip may still have given some before its damage).
ALTER TABLE batch_file ADD COLUMN records bigint;
