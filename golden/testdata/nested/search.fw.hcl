# A three-level config, lists, null and a param that adds a leaf.

search "transformer" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 30

  base_config = {
    model = {
      encoder = {
        layers   = 6
        channels = [32, 64, 128]
        attention = {
          heads   = 8
          dropout = 0.1
          kind    = "softmax"
        }
      }
      decoder = { layers = 2, tie_weights = true }
    }
    schedule = [
      { epochs = 10, lr = 0.1 },
      { epochs = 5, lr = 0.01, warmup = true },
    ]
    scales     = [0.5, 1, 2]
    tags       = []
    checkpoint = null
  }

  param "model.encoder.attention.heads" {
    type = integer
    low  = 2
    high = 16
    step = 2
  }
  param "model.encoder.attention.dropout" {
    type = real
    low  = 0
    high = 0.3
  }
  param "model.encoder.attention.kind" {
    values = ["softmax", "linear"]
  }
  param "model.encoder.attention.temperature" {
    type = real
    low  = 0
    high = 2
  }
  param "model.decoder.layers" {
    type = integer
    low  = 1
    high = 4
  }

  trial {
    command = ["python3", "train.py"]
  }
}
