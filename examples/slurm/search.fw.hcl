# The Slurm example: the quickstart's objective searched by a Bayesian
# search whose trials run as jobs on a Slurm cluster.
#
#   eval "$(scripts/slurm start)"     # as root: a one-node cluster on loopback
#   go run ./cmd/fwapply -chdir=examples/slurm apply -auto-approve
#
# See README.md here for a real cluster (-var partition=..., shared storage).

variable "partition" {
  type        = string
  default     = ""
  description = "The partition jobs are submitted to; empty for the cluster's default partition."
}

variable "experiment_root" {
  type        = string
  default     = "runs"
  description = "Where trial directories go: on a real cluster, storage every node shares."
}

variable "trials" {
  type        = number
  default     = 20
  description = "Budget of the search."
}

executor "slurm" "cluster" {
  partition     = var.partition == "" ? null : var.partition
  cpus_per_task = 1
  # time defaults to the trial's timeout, rounded up to whole minutes.
}

search "slurm" {
  strategy        = "bayesian"
  metric          = "val_loss"
  mode            = "min"
  trials          = var.trials
  seed            = 3
  parallelism     = 2
  experiment_root = var.experiment_root

  base_config = {
    training  = { lr = 0.001, batch_size = 64, epochs = 5 }
    model     = { hidden_dim = 64, dropout = 0.1 }
    optimizer = "adam"
  }

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }

  param "training.batch_size" {
    type = integer
    low  = 16
    high = 256
    log  = true
  }

  param "optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  bayesian {
    initial_points = 8
  }

  trial {
    # Built once per apply into .fw/bin/ beside the state file; the jobs
    # run that binary, in this directory.
    go_build = "../quickstart/train"
    timeout  = "2m"
    executor = executor.slurm.cluster
  }
}
