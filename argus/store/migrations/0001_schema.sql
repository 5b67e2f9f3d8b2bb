-- Argus schema, version 1: every table of DESIGN.md §4.
-- The unique constraints are what make the pipeline idempotent: one registry row per file
-- content, one diagnosis per batch, one statistics row per (run, file, template, mod, smod,
-- level, thread, minute).

CREATE EXTENSION IF NOT EXISTS vector;

-- Files, keyed by the sha256 of their content.
CREATE TABLE file_registry (
    file_id      text PRIMARY KEY CHECK (file_id ~ '^[0-9a-f]{64}$'),
    path         text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    status       text NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'processing', 'processed', 'failed')),
    error        text,
    line_count   bigint,
    ingested_at  timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE run_session (
    run_id              bigserial PRIMARY KEY,
    file_id             text NOT NULL REFERENCES file_registry (file_id) ON DELETE CASCADE,
    pass_type           text NOT NULL CHECK (pass_type IN ('pass1', 'pass2', 'describe')),
    config              jsonb NOT NULL DEFAULT '{}'::jsonb,
    started_at          timestamptz NOT NULL DEFAULT now(),
    ended_at            timestamptz,
    total_lines         bigint NOT NULL DEFAULT 0,
    preprocessed_lines  bigint NOT NULL DEFAULT 0,
    unmatched_lines     bigint NOT NULL DEFAULT 0,
    status              text NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'succeeded', 'failed')),
    error               text
);
CREATE INDEX run_session_file_idx ON run_session (file_id, pass_type);

CREATE TABLE module (
    mod          text PRIMARY KEY,
    description  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE submodule (
    mod          text NOT NULL REFERENCES module (mod) ON DELETE CASCADE,
    smod         text NOT NULL,
    description  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mod, smod)
);

-- Templates carry no mod/smod: their scope shows in the pass-2 statistics.
CREATE TABLE regex_template (
    template_id    bigserial PRIMARY KEY,
    pattern        text NOT NULL UNIQUE,
    sample_log     text NOT NULL,
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    is_active      boolean NOT NULL DEFAULT true,
    semantic_info  text,
    advise         text,
    source         text NOT NULL CHECK (source IN ('llm', 'rule', 'manual', 'import')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX regex_template_active_idx ON regex_template (is_active);

CREATE TABLE template_history (
    history_id   bigserial PRIMARY KEY,
    template_id  bigint NOT NULL REFERENCES regex_template (template_id) ON DELETE CASCADE,
    pattern      text NOT NULL,
    sample_log   text NOT NULL,
    version      integer NOT NULL,
    source       text NOT NULL,
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (template_id, version)
);

-- Only what is needed to re-feed pass 1: no mod, smod, level, thread or timestamp.
CREATE TABLE unmatched_log (
    um_id       bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES run_session (run_id) ON DELETE CASCADE,
    file_id     text NOT NULL REFERENCES file_registry (file_id) ON DELETE CASCADE,
    key_text    text NOT NULL,
    raw_log     text NOT NULL,
    buffered    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unmatched_log_file_idx ON unmatched_log (file_id);

CREATE TABLE log_match_summary (
    summary_id      bigserial PRIMARY KEY,
    run_id          bigint NOT NULL REFERENCES run_session (run_id) ON DELETE CASCADE,
    file_id         text NOT NULL REFERENCES file_registry (file_id) ON DELETE CASCADE,
    template_id     bigint NOT NULL REFERENCES regex_template (template_id),
    mod             text,
    smod            text,
    classification  text,
    level           text,
    thread_id       text,
    first_ts        timestamptz,
    last_ts         timestamptz,
    line_count      bigint NOT NULL CHECK (line_count >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT log_match_summary_key UNIQUE NULLS NOT DISTINCT
        (run_id, file_id, template_id, mod, smod, level, thread_id)
);
CREATE INDEX log_match_summary_file_idx ON log_match_summary (file_id, template_id);

CREATE TABLE key_time_bucket (
    bucket_id           bigserial PRIMARY KEY,
    run_id              bigint NOT NULL REFERENCES run_session (run_id) ON DELETE CASCADE,
    file_id             text NOT NULL REFERENCES file_registry (file_id) ON DELETE CASCADE,
    template_id         bigint NOT NULL REFERENCES regex_template (template_id),
    mod                 text,
    smod                text,
    classification      text,
    level               text,
    thread_id           text,
    bucket_granularity  text NOT NULL DEFAULT 'minute',
    bucket_start        timestamptz NOT NULL,
    count_in_bucket     bigint NOT NULL CHECK (count_in_bucket >= 0),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT key_time_bucket_key UNIQUE NULLS NOT DISTINCT
        (run_id, file_id, template_id, mod, smod, level, thread_id, bucket_granularity, bucket_start)
);
CREATE INDEX key_time_bucket_file_idx ON key_time_bucket (file_id, bucket_start);

-- Batches (seed 004): the unit that is uploaded and diagnosed.
CREATE TABLE batch (
    batch_id        uuid PRIMARY KEY,
    source          text NOT NULL,
    labels          jsonb NOT NULL DEFAULT '{}'::jsonb,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'uploaded', 'parsing', 'parsed',
                                      'diagnosing', 'diagnosed', 'failed')),
    failure_reason  text,
    file_count      integer NOT NULL DEFAULT 0,
    line_count      bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    parsed_at       timestamptz,
    diagnosed_at    timestamptz
);
CREATE INDEX batch_source_idx ON batch (source, created_at);
CREATE INDEX batch_status_idx ON batch (status);

CREATE TABLE batch_file (
    batch_id    uuid NOT NULL REFERENCES batch (batch_id) ON DELETE CASCADE,
    name        text NOT NULL,
    file_id     text REFERENCES file_registry (file_id),
    path        text,
    size_bytes  bigint,
    status      text NOT NULL DEFAULT 'uploaded'
                CHECK (status IN ('uploaded', 'parsing', 'parsed', 'failed')),
    error       text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, name)
);

-- One diagnosis per batch.
CREATE TABLE diagnosis (
    diagnosis_id       bigserial PRIMARY KEY,
    batch_id           uuid NOT NULL UNIQUE REFERENCES batch (batch_id) ON DELETE CASCADE,
    status             text NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'completed', 'failed')),
    report             jsonb,
    summary            text,
    confidence         real CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
    mode               text CHECK (mode IN ('llm', 'rule-based')),
    model              text,
    prompt_tokens      integer NOT NULL DEFAULT 0,
    completion_tokens  integer NOT NULL DEFAULT 0,
    cost               numeric(12, 6) NOT NULL DEFAULT 0,
    embedding          vector(384),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diagnosis_embedding_hnsw ON diagnosis USING hnsw (embedding vector_cosine_ops);

CREATE TABLE knowledge_base (
    kb_id         bigserial PRIMARY KEY,
    source_id     text NOT NULL UNIQUE,
    error_code    text,
    platform      text,
    firmware      text,
    module        text,
    category      text,
    symptom       text NOT NULL,
    root_cause    text,
    solution      text NOT NULL,
    tags          text[] NOT NULL DEFAULT '{}',
    source        text NOT NULL DEFAULT 'manual',
    content_hash  text,
    embedding     vector(384),
    tsv           tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector('english', coalesce(error_code, '')), 'A') ||
                      setweight(to_tsvector('english', coalesce(symptom, '')), 'B') ||
                      setweight(to_tsvector('english', coalesce(root_cause, '')), 'C') ||
                      setweight(to_tsvector('english', coalesce(solution, '')), 'D')
                  ) STORED,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_base_embedding_hnsw
    ON knowledge_base USING hnsw (embedding vector_cosine_ops);
CREATE INDEX knowledge_base_tsv_gin ON knowledge_base USING gin (tsv);
CREATE INDEX knowledge_base_filters_idx
    ON knowledge_base (error_code, platform, module, category);
CREATE INDEX knowledge_base_firmware_idx ON knowledge_base (firmware text_pattern_ops);
