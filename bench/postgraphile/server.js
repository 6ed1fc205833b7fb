// The peer in bench/run (issue 17): PostGraphile 4 with the connection filter (relation filters
// on) and the simplified inflector, in production settings (no GraphiQL, no query log, no schema
// watching), one process per core. Usage: node server.js DATABASE_URL PORT [WORKERS] [POOL]
const cluster = require("cluster");
const http = require("http");

const [databaseUrl, port, workers = "2", pool = "8"] = process.argv.slice(2);

if (cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (code !== 0) process.exit(code);
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers)) worker.kill();
      process.exit(0);
    });
  }
} else {
  const { Pool } = require("pg");
  const { postgraphile } = require("postgraphile");
  const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");
  const PgSimplifyInflectorPlugin = require("@graphile-contrib/pg-simplify-inflector");
  const middleware = postgraphile(new Pool({ connectionString: databaseUrl, max: Number(pool) }), "public", {
    appendPlugins: [ConnectionFilterPlugin, PgSimplifyInflectorPlugin],
    graphileBuildOptions: { connectionFilterRelations: true },
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    ignoreRBAC: false,
    legacyRelations: "omit",
    disableQueryLog: true,
    extendedErrors: [],
    graphiql: false,
    enhanceGraphiql: false,
    watchPg: false,
    retryOnInitFail: false,
  });
  http.createServer(middleware).listen(Number(port), "127.0.0.1");
}
