# The frameworm block: every value is checked, and the password of
# conn_str never shows in a snippet.
frameworm {
  backend "pg" {
    conn_str      = "postgres://fw:hunter2-S3CRET@db.internal:5432/frameworm"
    schema_name   = "Frameworm"
    workspace     = "digits/v2"
    retry_timeout = "2 minutes"
    workspce      = "x"
  }
  backend "pg" {
  }
}

frameworm {
}

search "s" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 3
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["true"]
  }
}
