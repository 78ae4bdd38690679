# Executor blocks with bad values: each attribute's error, located.
executor "slurm" "gpu" {
  partition     = "gpu a100"
  time          = "2 hours"
  cpus_per_task = 0
  mem           = "16GiB"
  gpus          = 1
  gres          = "gpu:a100:1"
  extra_args    = ["--exclusive", "--output=/tmp/out.log", "--mail-type", "END"]
  poll          = "100ms"
  partiton      = "gpu"
}

executor "slurn" "cpu" {
}

executor "slurm" "gpu" {
}

search "s" {
  strategy        = "random"
  metric          = "loss"
  mode            = "min"
  trials          = 10
  experiment_root = "/shared/fw-trials"
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
}
