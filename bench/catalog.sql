-- A generated catalog for the benchmark: `companies` companies (psql -v companies=N; 200 unless
-- set), 100 published postings each, 1-2 locations and 8 requirements per posting. Run after
-- `jobgraph migrate up`.
\if :{?companies}
\else
\set companies 200
\endif
BEGIN;
INSERT INTO company (id, slug, name, website, description, headquarters, created_at, updated_at)
SELECT gen_random_uuid(), 'company-' || c, 'Company ' || lpad(c::text, greatest(3, length(c::text)), '0'), 'https://company-' || c || '.example',
       'A generated company.', 'Göteborg, Sweden', now(), now()
FROM generate_series(1, :companies) AS c;

INSERT INTO posting (id, company_id, slug, title, summary, description, department, occupation, employment_type,
                     remote_policy, travel, language, status, posted_at, valid_through, apply_url, source_url,
                     content_hash, version, created_at, updated_at)
SELECT gen_random_uuid(), company.id, 'posting-' || p, 'Position ' || p, 'A generated posting.',
       '[{"heading":"About the role","paragraphs":["You will build and run things with a small team."],"items":["Build","Run","Improve"]},{"heading":"Who you are","paragraphs":[],"items":["Curious","Kind"]}]'::jsonb,
       (ARRAY['Engineering','Sales','Operations','Data','Finance','People','Logistics','Design','Security','Support'])[1 + p % 10],
       'Occupation ' || (p % 25), 'full_time', (ARRAY['onsite','hybrid','remote'])[1 + p % 3], NULL,
       (ARRAY['en','sv'])[1 + p % 2], 'published', now() - (p || ' minutes')::interval, NULL,
       'https://company.example/jobs/' || p, NULL, NULL, 1, now(), now()
FROM (SELECT c, id, row_number() OVER (ORDER BY slug) AS n FROM (SELECT generate_series(1, :companies) AS c) s
      JOIN company ON company.slug = 'company-' || s.c) company
CROSS JOIN LATERAL generate_series((company.c - 1) * 100 + 1, company.c * 100) AS p;

INSERT INTO posting_location (id, posting_id, position, city, city_key, region, country)
SELECT gen_random_uuid(), posting.id, l.position,
       (ARRAY['Göteborg','Stockholm','Malmö','Uppsala','Oslo','Copenhagen','Austin','Denver','Helsinki','Berlin'])[1 + (abs(hashtext(posting.slug)) + l.position) % 10],
       lower((ARRAY['Göteborg','Stockholm','Malmö','Uppsala','Oslo','Copenhagen','Austin','Denver','Helsinki','Berlin'])[1 + (abs(hashtext(posting.slug)) + l.position) % 10]),
       NULL,
       (ARRAY['SE','SE','SE','SE','NO','DK','US','US','FI','DE'])[1 + (abs(hashtext(posting.slug)) + l.position) % 10]
FROM posting CROSS JOIN LATERAL generate_series(0, abs(hashtext(posting.slug)) % 2) AS l(position);

INSERT INTO requirement (id, posting_id, position, kind, text, required, years_min, years_max)
SELECT gen_random_uuid(), posting.id, r, (ARRAY['experience','education','skill','language','certification','other','skill','skill'])[1 + r],
       'Requirement ' || r || ' of ' || posting.title, r % 3 <> 0, CASE WHEN r = 0 THEN 2 END, CASE WHEN r = 0 THEN 5 END
FROM posting CROSS JOIN generate_series(0, 7) AS r;
COMMIT;
ANALYZE;
