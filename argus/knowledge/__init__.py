"""Knowledge base: embeddings, hybrid search, seeding and the starter pack.

Modules, one job each:

* ``categories`` — the closed vocabulary of failure categories;
* ``entry``, ``versions`` — the validated shape of an entry, firmware version prefixes;
* ``loaders``, ``runbooks``, ``pack`` — YAML/JSONL/Markdown files and the shipped starter pack;
* ``embeddings``, ``openai_embeddings`` — the local model and the OpenAI-compatible client;
* ``space`` — which model the stored vectors come from; refusing a mix; re-embedding;
* ``upsert`` — the one write path: upsert by source id, re-embedding only what changed;
* ``seed`` — seeding from files through it; ``curation`` — single entries (the API) through it;
* ``filters``, ``planner``, ``lexicon``, ``fusion``, ``search`` — hybrid search;
* ``incidents`` — similar past diagnoses;
* ``cli`` — ``argus knowledge ...``.

The SQL lives in :mod:`argus.store.knowledge`.
"""
