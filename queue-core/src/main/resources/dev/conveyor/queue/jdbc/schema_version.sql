-- schema_version: the queue schema generation the database holds (see V001). Locks: none.
SELECT version FROM conveyor.queue_schema
