package hcl

import "github.com/hashicorp/hcl/v2"

// The block schemas of the language (docs/language.md). hclsyntax reports any
// attribute or block outside them, with a "did you mean" suggestion.
var (
	rootSchema = &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "variable", LabelNames: []string{"name"}},
			{Type: "search", LabelNames: []string{"name"}},
			{Type: "frameworm"},
			{Type: "executor", LabelNames: []string{"type", "name"}},
			{Type: "locals"},
		},
	}

	variableSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "type"},
			{Name: "default"},
			{Name: "description"},
		},
	}

	searchSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "strategy", Required: true},
			{Name: "metric", Required: true},
			{Name: "mode", Required: true},
			{Name: "trials"},
			{Name: "seed"},
			{Name: "parallelism"},
			{Name: "base_config"},
			{Name: "experiment_root"},
			{Name: "metrics"},
			{Name: "go_types"},
			{Name: "tags"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "param", LabelNames: []string{"path"}},
			{Type: "trial"},
			{Type: "bayesian"},
			{Type: "pruner", LabelNames: []string{"kind"}},
			{Type: "refine"},
		},
	}

	refineSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "from", Required: true},
			{Name: "factor", Required: true},
			{Name: "params"},
			{Name: "top_k"},
		},
	}

	paramSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "type"},
			{Name: "low"},
			{Name: "high"},
			{Name: "log"},
			{Name: "step"},
			{Name: "values"},
			{Name: "new"},
			{Name: "when"},
		},
	}

	trialSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "command"},
			{Name: "go_build"},
			{Name: "timeout"},
			{Name: "env"},
			{Name: "executor"},
		},
	}

	bayesianSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "initial_points"},
			{Name: "acquisition"},
			{Name: "xi"},
			{Name: "kappa"},
			{Name: "pruned_trials"},
			{Name: "explore_every"},
			{Name: "explore_kappa"},
			{Name: "stall_trials"},
		},
	}
)
