package asyncapi_test

import (
	"context"
	"fmt"

	"github.com/arazzo-go/arazzo/asyncapi"
)

func Example() {
	doc, err := (&asyncapi.Loader{}).Load(context.Background(), "testdata/users-2.6.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	op, _ := doc.Operation("signUpUser") // a 2.x publish operation
	fmt.Println(op.Action, op.Channel.Address)
	ch, _ := doc.ChannelByPointer("/channels/user~1{userId}~1welcome")
	fmt.Println(ch.Parameters, doc.OperationsOn(ch)[0].Messages[0].CorrelationID)
	// Output:
	// receive user/signedup
	// [userId] $message.payload#/requestId
}
