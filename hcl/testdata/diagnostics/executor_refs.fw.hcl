# References to executors from trial blocks, and the warnings of searches
# that run on Slurm.
executor "slurm" "gpu" {
  partition = "gpu"
  time      = "30m"
}

executor "slurm" "cpu" {
  partition = "cpu"
}

search "typo" {
  strategy        = "random"
  metric          = "loss"
  mode            = "min"
  trials          = 10
  experiment_root = "/shared/fw-trials"
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command  = ["python3", "train.py"]
    executor = executor.slurm.gpus
  }
}

search "quoted" {
  strategy        = "random"
  metric          = "loss"
  mode            = "min"
  trials          = 10
  experiment_root = "/shared/fw-trials"
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command  = ["python3", "train.py"]
    executor = "executor.slurm.gpu"
  }
}

search "tmp" {
  strategy        = "random"
  metric          = "loss"
  mode            = "min"
  trials          = 10
  experiment_root = "/tmp/fw-trials"
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command  = ["python3", "train.py"]
    timeout  = "1h"
    executor = executor.slurm.gpu
  }
}
