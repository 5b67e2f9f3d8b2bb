-- Alert rules on diagnoses, their channels and silences; the decisions rules took (one per rule
-- and diagnosis: a redelivered argus.diagnosed event decides nothing twice); the state of each
-- alert (rule, fingerprint) that suppression and escalation read; and the notification outbox,
-- written in the transaction of the decision and emptied by the deliverer.
CREATE TABLE alert_channel (
    name        text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('webhook', 'slack', 'dingtalk')),
    url         text NOT NULL,
    secret      text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_rule (
    rule_id     bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    spec        jsonb NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_silence (
    silence_id  bigserial PRIMARY KEY,
    spec        jsonb NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_silence_expiry_idx ON alert_silence (expires_at);

CREATE TABLE alert_state (
    rule_id       bigint NOT NULL REFERENCES alert_rule (rule_id) ON DELETE CASCADE,
    fingerprint   text NOT NULL,
    last_sent_at  timestamptz,
    suppressed    integer NOT NULL DEFAULT 0,
    recent        timestamptz[] NOT NULL DEFAULT '{}',
    escalated_at  timestamptz,
    occurrences   bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, fingerprint)
);

CREATE TABLE alert_decision (
    rule_id      bigint NOT NULL REFERENCES alert_rule (rule_id) ON DELETE CASCADE,
    batch_id     uuid NOT NULL,
    fingerprint  text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('notify', 'suppressed', 'escalated', 'silenced')),
    severity     text NOT NULL,
    silence_id   bigint,
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, batch_id)
);

CREATE TABLE notification (
    notification_id  bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    rule_name        text NOT NULL,
    channel          text NOT NULL,
    batch_id         uuid NOT NULL,
    fingerprint      text NOT NULL,
    severity         text NOT NULL,
    payload          jsonb NOT NULL,
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX notification_due_idx ON notification (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_batch_idx ON notification (batch_id);
