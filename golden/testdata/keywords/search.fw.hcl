# Keys that are Go keywords, need initialisms, start with a digit or give
# the same Go name.

search "names" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 10

  base_config = {
    type       = "cnn"
    func       = "relu"
    range      = 3
    id         = "run-1"
    url        = "https://example.com/data"
    api_key    = ""
    http_url   = "http://localhost:8080"
    HTTPServer = "localhost"
    user_ids   = [1, 2, 3]
    "2d_conv"  = { kernel_size = 3, "validate" = false }
    "a-b"      = 1
    a_b        = 2
    lr         = 0.1
    validate   = true
  }

  param "type" {
    values = ["cnn", "mlp", "rnn"]
  }
  param "range" {
    type = integer
    low  = 1
    high = 5
  }
  param "2d_conv.kernel_size" {
    values = [3, 5]
  }
  param "lr" {
    type = real
    low  = 0.01
    high = 1
    log  = true
  }

  trial {
    command = ["python3", "train.py"]
  }
}
