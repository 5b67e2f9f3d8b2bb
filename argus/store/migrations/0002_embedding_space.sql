-- Argus schema, version 2: which embedding model the stored vectors come from.
-- Vectors of two models must never be mixed in one column. One row records the model and the
-- dimension of every vector in knowledge_base.embedding and diagnosis.embedding; version 1 made
-- those columns vector(384) for the bundled all-MiniLM-L6-v2, which is therefore the initial row.
-- `argus knowledge reembed` switches models: it resizes both columns, re-embeds, updates the row.

CREATE TABLE embedding_space (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    model       text NOT NULL,
    dimension   integer NOT NULL CHECK (dimension > 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO embedding_space (model, dimension) VALUES ('all-MiniLM-L6-v2', 384);

-- Single-column indexes for the hard filters, so that any combination of them can be answered
-- by a bitmap AND (the composite index of version 1 only serves filters on error_code).
CREATE INDEX knowledge_base_platform_idx ON knowledge_base (platform);
CREATE INDEX knowledge_base_module_idx ON knowledge_base (module);
CREATE INDEX knowledge_base_category_idx ON knowledge_base (category);
