package arazzo

func validateSchema(doc *Document) Diagnostics    { return nil }
func compileDocument(doc *Document) Diagnostics   { return nil }
func validateSemantics(doc *Document) Diagnostics { return nil }
