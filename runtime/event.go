package runtime

import "time"

// Observer receives events as a run progresses. Implementations must be
// safe for concurrent use when the engine runs concurrently.
type Observer interface {
	Observe(ev Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe calls f(ev).
func (f ObserverFunc) Observe(ev Event) { f(ev) }

// EventKind names an event.
type EventKind string

// Event kinds.
const (
	EventWorkflowStarted    EventKind = "workflow-started"
	EventStepStarted        EventKind = "step-started"
	EventRequestSent        EventKind = "request-sent"
	EventResponseReceived   EventKind = "response-received"
	EventCriterionEvaluated EventKind = "criterion-evaluated"
	EventActionTaken        EventKind = "action-taken"
	EventWaiting            EventKind = "waiting" // retry or poll pacing sleep
	EventStepFinished       EventKind = "step-finished"
	EventWorkflowFinished   EventKind = "workflow-finished"
)

// Event is one thing that happened during a run. Fields beyond Kind,
// WorkflowID and StepID are set per kind.
type Event struct {
	Kind       EventKind
	RunID      string // the run's id (Result.RunID): tells concurrent runs apart
	Time       time.Time
	WorkflowID string
	StepID     string
	Attempt    *StepAttempt     // step-started.. step-finished
	Request    *RequestSummary  // request-sent
	Response   *ResponseSummary // response-received
	Criterion  *CriterionResult // criterion-evaluated
	Action     string           // action-taken: as StepAttempt.Action
	Wait       time.Duration    // waiting
	Reason     string           // waiting: "retry" or "poll"; workflow-finished: error text
	Result     *Result          // workflow-finished
	// Replayed is set on the events of a resumed durable run that replay
	// its recorded history (Engine.Resume): nothing was sent again.
	Replayed bool
}
