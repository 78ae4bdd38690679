# Unknown backend types, and values that are not constants.
frameworm {
  backend "postgres" {
    conn_str = var.conn
  }
}

variable "conn" {
  default = "host=db password=hunter2-S3CRET"
}
