-- The fastest single statement we could write by hand for this shape's exact answer (issue 17),
-- over typeahead's word-start index (`posting_suggestion`, byte-ordered): the prefix is one
-- range of the index, each value's postings are counted once, only visible postings count,
-- and JSON is built for the ten suggestions kept. bench/run.py checks its answer against
-- jobgraph's before replaying it.
WITH found AS (
  SELECT s.kind, s.value_key, min(s.value) AS text, count(DISTINCT s.posting_id) AS n
  FROM posting_suggestion s
  WHERE s.start >= 'eng' AND s.start < 'eng' || chr(1114111)
    AND EXISTS (SELECT 1 FROM posting p WHERE p.id = s.posting_id AND p.status = 'published')
  GROUP BY s.kind, s.value_key
  ORDER BY n DESC, s.kind, text LIMIT 10)
SELECT json_build_object('data', json_build_object('suggest', coalesce((
  SELECT json_agg(json_build_object(
    'text', text,
    'kind', (ARRAY['TITLE', 'OCCUPATION', 'DEPARTMENT', 'CITY'])[kind + 1],
    'count', n) ORDER BY n DESC, kind, text)
  FROM found), '[]')))::text;
