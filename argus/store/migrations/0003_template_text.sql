-- The logpai form of each template ("<*>" per variable), shown to people and agents, and kept
-- in the history beside the pattern.
ALTER TABLE regex_template ADD COLUMN template text;
UPDATE regex_template SET template = pattern WHERE template IS NULL;
ALTER TABLE regex_template ALTER COLUMN template SET NOT NULL;
ALTER TABLE template_history ADD COLUMN template text;
