-- The W3C trace context given when a job was enqueued, handed on at each delivery so a trace crosses the queue.
ALTER TABLE jobs ADD COLUMN traceparent TEXT;
