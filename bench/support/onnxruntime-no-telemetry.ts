// Turns off onnxruntime-node's telemetry for this process and its children. Import it before 'onnxruntime-node': the
// official Linux builds (1.30) send usage events to Microsoft by default and write a device id and an event database
// under ~/.cache/Microsoft and two files in the temporary folder (.ses, mat-debug-<pid>.log); ORT_DISABLE_TELEMETRY=1,
// set before the runtime initializes, stops all of it (onnxruntime pull request 27379). onnxruntime is a dev
// dependency: the tests and bench/qdq-agreement.ts use it, the edgeprune command never loads it.
process.env.ORT_DISABLE_TELEMETRY = '1';
