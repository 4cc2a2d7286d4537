package runtime

// ExplainAtOnce makes e explain every criterion when it is evaluated, as
// before explanations were built when read, for tests that compare both.
func ExplainAtOnce(e *Engine) { e.explainAtOnce = true }
