-- Module descriptions (seed 000's "third program") and stored eval runs.

-- One description per module (smod NULL) and per submodule: the current text, its state and
-- who drafted it. A row exists for every module and submodule (backfilled here, then added by
-- the triggers below as pass 1 records new ones), so each has an id from the start.
CREATE TABLE module_description (
    description_id  bigserial PRIMARY KEY,
    mod             text NOT NULL REFERENCES module (mod) ON DELETE CASCADE,
    smod            text,
    text            text,
    state           text NOT NULL DEFAULT 'missing'
                    CHECK (state IN ('missing', 'draft', 'approved', 'rejected')),
    drafted_by      text CHECK (drafted_by IN ('llm', 'templates', 'person')),
    model           text,
    drafted_at      timestamptz,
    decided_by      text,
    decided_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT module_description_key UNIQUE NULLS NOT DISTINCT (mod, smod),
    CHECK (state = 'missing' OR text IS NOT NULL)
);
CREATE INDEX module_description_state_idx ON module_description (state, mod, smod);

-- Every draft and decision, never updated: who did what to which text, and when.
CREATE TABLE description_event (
    event_id        bigserial PRIMARY KEY,
    description_id  bigint NOT NULL REFERENCES module_description (description_id)
                    ON DELETE CASCADE,
    action          text NOT NULL CHECK (action IN ('drafted', 'approved', 'edited', 'rejected')),
    text            text NOT NULL,
    actor           text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX description_event_of_idx ON description_event (description_id, event_id);

INSERT INTO module_description (mod, smod, text, state, drafted_by, decided_by, decided_at)
SELECT mod, NULL, description,
       CASE WHEN description IS NULL THEN 'missing' ELSE 'approved' END,
       CASE WHEN description IS NULL THEN NULL ELSE 'person' END,
       CASE WHEN description IS NULL THEN NULL ELSE 'migration' END,
       CASE WHEN description IS NULL THEN NULL ELSE now() END
FROM module;
INSERT INTO module_description (mod, smod, text, state, drafted_by, decided_by, decided_at)
SELECT mod, smod, description,
       CASE WHEN description IS NULL THEN 'missing' ELSE 'approved' END,
       CASE WHEN description IS NULL THEN NULL ELSE 'person' END,
       CASE WHEN description IS NULL THEN NULL ELSE 'migration' END,
       CASE WHEN description IS NULL THEN NULL ELSE now() END
FROM submodule;

CREATE FUNCTION module_description_seed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO module_description (mod, smod) VALUES (NEW.mod, NULL) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE FUNCTION submodule_description_seed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO module_description (mod, smod) VALUES (NEW.mod, NEW.smod) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER module_description_seed AFTER INSERT ON module
    FOR EACH ROW EXECUTE FUNCTION module_description_seed();
CREATE TRIGGER submodule_description_seed AFTER INSERT ON submodule
    FOR EACH ROW EXECUTE FUNCTION submodule_description_seed();

-- One `argus eval --store` run: its figures, the settings and code it ran with.
CREATE TABLE eval_run (
    eval_run_id   bigserial PRIMARY KEY,
    name          text NOT NULL,
    cases_dir     text NOT NULL,
    git_revision  text NOT NULL,
    settings      jsonb NOT NULL,
    figures       jsonb NOT NULL,
    category_f1   jsonb NOT NULL,
    started_at    timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eval_run_recent_idx ON eval_run (recorded_at DESC, eval_run_id DESC);

CREATE TABLE eval_case_result (
    eval_run_id         bigint NOT NULL REFERENCES eval_run (eval_run_id) ON DELETE CASCADE,
    case_id             text NOT NULL,
    expected_module     text,
    expected_category   text NOT NULL,
    predicted_module    text,
    predicted_category  text NOT NULL,
    ranked_modules      text[] NOT NULL,
    rank                integer CHECK (rank >= 1),
    incident            boolean NOT NULL,
    module_at_1         boolean NOT NULL,
    module_at_3         boolean NOT NULL,
    category_correct    boolean NOT NULL,
    correct             boolean NOT NULL,
    latency_s           double precision NOT NULL,
    error               text,
    PRIMARY KEY (eval_run_id, case_id)
);
