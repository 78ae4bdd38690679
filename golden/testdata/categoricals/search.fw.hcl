# Numeric and bool categoricals: whole numbers give an int type,
# fractional ones a float64 type, bools a bool type.

search "cats" {
  strategy = "grid"
  metric   = "val_loss"
  mode     = "min"

  base_config = {
    batch_size  = 64
    dropout     = 0.1
    warmup      = 0
    use_bias    = true
    seed_offset = 1
    activation  = "relu"
  }

  param "batch_size" {
    values = [32, 64, 128]
  }
  param "dropout" {
    values = [0.1, 0.2, 0.5]
  }
  param "warmup" {
    values = [0, 0.5, 1]
  }
  param "use_bias" {
    values = [true, false]
  }
  param "seed_offset" {
    values = [1, 5000000000]
  }
  param "activation" {
    values = ["relu", "leaky-relu", "gelu"]
  }

  trial {
    command = ["python3", "train.py"]
  }
}
