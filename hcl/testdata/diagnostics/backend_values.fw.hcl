# Values that are not constants, and a conn_str that does not parse.
frameworm {
  backend "pg" {
    conn_str      = "host=db password='hunter2-S3CRET"
    workspace     = lower("Digits")
    retry_timeout = "-5s"
    schema_name   = var.schema
  }
}
