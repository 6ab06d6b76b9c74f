'use strict';
/**
 * Docker HEALTHCHECK without curl (slim images have none): GET a health path on this container's service.
 *   node deploy/docker/healthcheck.js [port] [path]
 * Without a port it tries PORT (the ingest) then METRICS_PORT (the worker), so the image's one HEALTHCHECK
 * fits both services; whichever answers 200 makes the container healthy. The path defaults to /livez.
 */
const http = require('node:http');

const [portArg, path = '/livez'] = process.argv.slice(2);
const ports = portArg ? [portArg] : [process.env.PORT || 8000, process.env.METRICS_PORT || 9100];

function answers200(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

(async () => {
  for (const port of ports) if (await answers200(port)) process.exit(0);
  process.exit(1);
})();
