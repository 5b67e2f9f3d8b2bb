-- Feedback on a diagnosis: was it right, and if not, what was the truth. The latest feedback of
-- a batch is its truth: it becomes a knowledge entry (source 'feedback'), an eval case
-- (argus eval export), and the label the knowledge metrics score cited entries against.
-- expected_module / expected_category are the truth resolved when the feedback was given, in
-- the report's vocabulary (category 'none': no incident; NULL: nothing to score against).
CREATE TABLE diagnosis_feedback (
    feedback_id        bigserial PRIMARY KEY,
    batch_id           uuid NOT NULL REFERENCES batch (batch_id) ON DELETE CASCADE,
    diagnosis_id       bigint REFERENCES diagnosis (diagnosis_id) ON DELETE SET NULL,
    correct            boolean NOT NULL,
    incident           boolean NOT NULL,
    module             text,
    category           text,
    note               text NOT NULL DEFAULT '',
    author             text NOT NULL,
    expected_module    text,
    expected_category  text,
    kb_id              bigint REFERENCES knowledge_base (kb_id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diagnosis_feedback_batch_idx ON diagnosis_feedback (batch_id, feedback_id DESC);
