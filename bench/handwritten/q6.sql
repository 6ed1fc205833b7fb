-- The fastest single statement we could write by hand for this shape's exact answer (issue 17):
-- the count and the page of one country's postings, each answered from the locations'
-- (country, city_key, posting_id) index. bench/run.py checks its answer against jobgraph's
-- before replaying it.
SELECT json_build_object('data', json_build_object('postings', json_build_object(
  'totalCount', (SELECT count(*) FROM posting p
                 WHERE p.status = 'published' AND p.id IN (SELECT posting_id FROM posting_location WHERE country = 'SE')),
  'nodes', coalesce((
    SELECT json_agg(json_build_object(
      'id', rtrim(translate(encode(convert_to('Posting:' || p.id, 'UTF8'), 'base64'), '+/', '-_'), '='),
      'title', p.title) ORDER BY p.posted_at DESC, p.id DESC)
    FROM (SELECT p.id, p.title, p.posted_at FROM posting p
          WHERE p.status = 'published' AND p.id IN (SELECT posting_id FROM posting_location WHERE country = 'SE')
          ORDER BY p.posted_at DESC, p.id DESC LIMIT 20) p), '[]'))))::text;
