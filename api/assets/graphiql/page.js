// jobgraph's GraphiQL page. A file of its own, not an inline script: the page's
// Content-Security-Policy runs only scripts served by jobgraph itself.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  // Relative to the page, so that a server behind a path prefix still finds its endpoint.
  var endpoint = new URL(root.getAttribute("data-endpoint"), window.location.href).href;

  // Examples over the sample catalog the embedded default loads.
  var examples = [
    {
      query: [
        "# The newest published postings, five to a page. Run it with the play button",
        "# (or Ctrl-Enter); pass pageInfo.endCursor as `after` for the next page.",
        "query LatestPostings($after: String) {",
        "  postings(first: 5, after: $after) {",
        "    totalCount",
        "    nodes {",
        "      title",
        "      department",
        "      employmentType",
        "      company { name }",
        "      locations { city country }",
        "    }",
        "    pageInfo { hasNextPage endCursor }",
        "  }",
        "}",
        ""
      ].join("\n")
    },
    {
      query: [
        "# Engineering postings in Göteborg (cities compare without regard to case).",
        "query EngineeringInGoteborg {",
        "  postings(",
        "    first: 10",
        "    filter: { departments: [\"Engineering\"], locations: [{ city: \"göteborg\" }] }",
        "  ) {",
        "    totalCount",
        "    nodes { title company { name } locations { city } }",
        "  }",
        "}",
        ""
      ].join("\n")
    },
    {
      query: [
        "# One company by its slug, with its postings and what each asks of candidates.",
        "query Company {",
        "  company(slug: \"lumen-betalningar\") {",
        "    name",
        "    postings(first: 3) {",
        "      nodes {",
        "        title",
        "        requirements { kind text required yearsMin }",
        "      }",
        "    }",
        "  }",
        "}",
        ""
      ].join("\n")
    }
  ];

  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: examples,
      defaultEditorToolsVisibility: true
    })
  );
})();
