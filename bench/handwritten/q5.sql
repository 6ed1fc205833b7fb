-- The fastest single statement we could write by hand for this shape's exact answer (issue 17):
-- each kind's values that have a word starting with the prefix, matched before they are
-- grouped and counted (jobgraph groups every occupation, department and city and matches
-- them in Rust, with the folding search uses). Exact for this catalog and an ASCII prefix:
-- without a folded column SQL alone cannot match `gote` to Göteborg. bench/run.py checks its
-- answer against jobgraph's before replaying it.
WITH found AS (
  SELECT 1 AS k, 'TITLE' AS kind, p.title AS text, count(*) AS n
  FROM posting p JOIN posting_search s ON s.posting_id = p.id
  WHERE p.status = 'published' AND strpos(s.folded_title, ' eng') > 0 GROUP BY p.title
  UNION ALL
  SELECT 2, 'OCCUPATION', occupation, count(*) FROM posting
  WHERE status = 'published' AND lower(occupation) ~ '\meng' GROUP BY occupation
  UNION ALL
  SELECT 3, 'DEPARTMENT', department, count(*) FROM posting
  WHERE status = 'published' AND lower(department) ~ '\meng' GROUP BY department
  UNION ALL
  SELECT 4, 'CITY', min(l.city), count(DISTINCT p.id) FROM posting p JOIN posting_location l ON l.posting_id = p.id
  WHERE p.status = 'published' AND l.city_key ~ '\meng' GROUP BY l.city_key)
SELECT json_build_object('data', json_build_object('suggest', coalesce((
  SELECT json_agg(json_build_object('text', text, 'kind', kind, 'count', n) ORDER BY n DESC, k, text COLLATE "C")
  FROM (SELECT * FROM found ORDER BY n DESC, k, text COLLATE "C" LIMIT 10) chosen), '[]')))::text;
