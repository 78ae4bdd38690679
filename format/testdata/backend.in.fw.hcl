frameworm {
    backend "pg" {
  conn_str = "postgres://fw@db.internal/frameworm"   # or FW_PG_CONN_STR
  schema_name="frameworm"
      workspace   =   "digits"
  retry_timeout = "2m"   
    }
}
search "s" {
  strategy = "random"
  metric = "loss"
  mode = "min"
  trials = 4
  trial {
    command = ["true"]
  }
}
