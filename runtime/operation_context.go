package runtime

import "context"

// ContextWithOperation attaches an operation key to ctx as the engine does
// to the requests it sends, so that a request a driver rebuilds outside the
// engine (a Temporal activity sending a recorded Call) still tells the auth
// transport and mocks which operation it belongs to (OperationFromContext).
func ContextWithOperation(ctx context.Context, k OperationKey) context.Context {
	return context.WithValue(ctx, operationKeyType{}, k)
}
