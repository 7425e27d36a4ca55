// Uploads a file with tus-js-client, the reference JavaScript client of tus 1.0, and prints one JSON line:
// {"job_id": ..., "upload_url": ..., "bytes": ...} on success, or {"error": ...} with exit code 1.
//   node tus-upload.js ENDPOINT FILE
const tus = require('tus-js-client');
const fs = require('fs');

const [endpoint, file] = process.argv.slice(2);
const size = fs.statSync(file).size;
let jobId = null;
const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  uploadSize: size,
  // A Node stream is read a chunk at a time; each chunk is one PATCH.
  chunkSize: 4 * 1024 * 1024,
  retryDelays: [0, 500, 1000, 2000],
  metadata: { filename: 'transactions.json', filetype: 'application/json' },
  onAfterResponse(req, res) {
    jobId = jobId || res.getHeader('Pipeline-Job-Id') || null;
  },
  onError(error) {
    console.log(JSON.stringify({ error: String(error) }));
    process.exit(1);
  },
  onSuccess() {
    console.log(JSON.stringify({ job_id: jobId, upload_url: upload.url, bytes: size }));
  },
});
upload.start();
