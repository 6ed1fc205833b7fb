#!/usr/bin/env python3
"""The import benchmark: generates 10,000 postings as pages in each format jobgraph imports
(2,500 each: schema.org JSON-LD files, HTML pages, plain-text pages, and 250 job-board
listings of 10 jobs), imports each format into a fresh PostgreSQL database with
`jobgraph import` (release build), and reports documents and postings per second and the
peak memory of the process. Appends nothing: prints a Markdown table for bench/RESULTS.md.

Usage: bench/import_bench.py [--postings 10000] [--database-url postgres://...] [--write FILE [--block NAME]]

With --write, the tables also replace what stands between `<!-- results -->` and
`<!-- /results -->` in FILE (bench/run writes bench/IMPORT.md so).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/jobgraph-target"))
BINARY = os.environ.get("JOBGRAPH_BINARY", os.path.join(TARGET, "release", "jobgraph"))

CITIES = ["Göteborg", "Stockholm", "Malmö", "Uppsala", "Lund"]
ROLES = ["Engineer", "Controller", "Designer", "Analyst", "Buyer", "Architect", "Manager"]


def job(n):
    """The facts of generated job number n: distinct title and text, so nothing collapses."""
    company = f"Benchco {n % 50}"
    title = f"{ROLES[n % len(ROLES)]} {n} of team {n % 97}"
    city = CITIES[n % len(CITIES)]
    duties = [f"Own deliverable {n}-{i} for the {ROLES[(n + i) % len(ROLES)].lower()} group" for i in range(5)]
    needs = [
        f"{3 + n % 5}+ years of experience with system {n}",
        f"A degree in field {n % 13} or equivalent",
        f"Knowledge of tool {n % 31} is a plus",
        "Fluent in English, Swedish is meritorious",
    ]
    intro = f"We are looking for a {title.lower()} to join us in {city}, number {n} in our plan."
    return company, title, city, intro, duties, needs


def json_ld(n):
    company, title, city, intro, duties, needs = job(n)
    description = f"<p>{intro}</p><h3>What you'll do</h3><ul>" + "".join(f"<li>{d}</li>" for d in duties)
    description += "</ul><h3>Who you are</h3><ul>" + "".join(f"<li>{r}</li>" for r in needs) + "</ul>"
    return json.dumps({
        "@context": "https://schema.org/", "@type": "JobPosting", "title": title,
        "description": description, "datePosted": "2026-11-01", "identifier": {"@type": "PropertyValue", "value": f"bench-{n}"},
        "hiringOrganization": {"@type": "Organization", "name": company},
        "jobLocation": {"@type": "Place", "address": {"addressLocality": city, "addressCountry": "SE"}},
        "employmentType": "FULL_TIME",
    })


def html(n):
    company, title, city, intro, duties, needs = job(n)
    return (f"<html><head><title>{title}</title></head><body><nav>Jobs | About</nav><h1>{title}</h1>"
            f"<p>{intro}</p><b>What you'll do</b><ul>" + "".join(f"<li>{d}</li>" for d in duties) +
            "</ul><b>Who you are</b><ul>" + "".join(f"<li>{r}</li>" for r in needs) +
            f"</ul><p>Location: {city}, Sweden</p><h2>About {company}</h2><p>{company} builds things.</p>"
            "<footer>Cookies</footer></body></html>")


def text(n):
    company, title, city, intro, duties, needs = job(n)
    return "\n".join([title, intro, "What you'll do", *[f"- {d}" for d in duties], "Who you are",
                      *[f"- {r}" for r in needs], "- Locations", f"- {city}, Sweden", f"About {company}",
                      f"{company} builds things in {city} and beyond, every day."]) + "\n"


def listing(first, count):
    company = f"Benchco {first % 50}"
    parts = [f"Lediga jobb {company} i Göteborg", "", "Se alla lediga jobb från oss.", ""]
    for n in range(first, first + count):
        _, title, _, intro, duties, needs = job(n)
        parts += [title, "", f"Ansök\u00a0\u00a0\u00a0 Nov 1\u00a0\u00a0\u00a0 {company}\u00a0\u00a0\u00a0 Ingenjör",
                  f"{intro[:80]}... Visa\u00a0mer", intro, "What you'll do", *duties, "",
                  "Who you are", *needs, "", "The Polestar journey is an electric one. Visa mindre", ""]
    return "\n".join(parts)


def peak_rss_mb(stderr):
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(match.group(1)) / 1024 if match else float("nan")


def run_import(database_url, files):
    started = time.monotonic()
    run = subprocess.run(["/usr/bin/time", "-v", BINARY, "import", "--json", *files],
                         env={**os.environ, "DATABASE_URL": database_url, "JOBGRAPH_LOG_LEVEL": "warn"},
                         capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        sys.exit(f"import failed: {run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    created = sum(1 for row in report["rows"] if row["outcome"] == "created")
    return elapsed, created, peak_rss_mb(run.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--write", help="a Markdown file whose results block to replace")
    parser.add_argument("--block", default="results",
                        help="the block of --write to replace: between <!-- BLOCK --> and <!-- /BLOCK -->")
    args = parser.parse_args()
    per_format = args.postings // 4
    admin = args.database_url
    name = "jobgraph_bench_import"
    base = admin.rsplit("/", 1)[0]
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    database_url = f"{base}/{name}"
    scratch = tempfile.mkdtemp(prefix="jobgraph-import-bench-")
    try:
        formats = {}
        for kind, make, extension in [("json-ld", json_ld, "json"), ("html", html, "html"), ("text", text, "txt")]:
            directory = os.path.join(scratch, kind)
            os.makedirs(directory)
            offset = len(formats) * per_format
            files = []
            for n in range(offset, offset + per_format):
                path = os.path.join(directory, f"{n}.{extension}")
                with open(path, "w") as f:
                    f.write(make(n))
                files.append(path)
            formats[kind] = files
        directory = os.path.join(scratch, "listing")
        os.makedirs(directory)
        files = []
        for first in range(3 * per_format, 4 * per_format, 10):
            path = os.path.join(directory, f"{first}.txt")
            with open(path, "w") as f:
                f.write(listing(first, min(10, 4 * per_format - first)))
            files.append(path)
        formats["listing"] = files
        # Migrate once, so the first format does not pay for it.
        subprocess.run([BINARY, "migrate", "up"], env={**os.environ, "DATABASE_URL": database_url,
                       "JOBGRAPH_LOG_LEVEL": "warn"}, check=True, capture_output=True)
        rows = []
        out = []
        total_time, total_postings, peak = 0.0, 0, 0.0
        for kind, files in formats.items():
            elapsed, created, rss = run_import(database_url, files)
            total_time += elapsed
            total_postings += created
            peak = max(peak, rss)
            rows.append(f"| {kind} | {len(files)} | {created} | {elapsed:.2f} | {len(files) / elapsed:.0f} | {created / elapsed:.0f} | {rss:.0f} |")
        out.append("| format | documents | postings created | seconds | documents/s | postings/s | peak RSS MB |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        out.extend(rows)
        out.append(f"| all | {sum(len(f) for f in formats.values())} | {total_postings} | {total_time:.2f} | | {total_postings / total_time:.0f} | {peak:.0f} |")
        everything = [f for files in formats.values() for f in files]
        if sum(len(f) + 1 for f in everything) < 1_000_000:
            elapsed, _, rss = run_import(database_url, everything)
            how = ""
        else:
            # More paths than one command line holds (the kernel's ARG_MAX): one run per format.
            again = [run_import(database_url, files) for files in formats.values()]
            elapsed, rss = sum(run[0] for run in again), max(run[2] for run in again)
            how = ", one run per format"
        out.append("")
        out.append(f"Importing all of it again (every posting unchanged{how}): {elapsed:.2f} s, peak RSS {rss:.0f} MB.")
        if args.postings == 10_000:
            verdict = "met" if total_time <= 10 else "missed"
            out.append("")
            out.append(f"Target (issue 16), 10,000 postings in at most 10 s: {total_time:.2f} s — {verdict}.")
        print("\n".join(out))
        if args.write:
            with open(args.write) as f:
                markdown = f.read()
            start, end = markdown.index(f"<!-- {args.block} -->"), markdown.index(f"<!-- /{args.block} -->")
            stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            block = f"<!-- {args.block} -->\nRun {stamp}, {args.postings:,} postings.\n\n" + "\n".join(out) + "\n"
            with open(args.write, "w") as f:
                f.write(markdown[:start] + block + markdown[end:])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"])


if __name__ == "__main__":
    main()
