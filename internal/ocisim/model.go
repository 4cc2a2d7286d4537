package ocisim

import "time"

// Fixture OCIDs. They follow the real OCID shape (ocid1.<type>.<realm>.<region>.<unique>) so that workflows and
// validators that inspect OCIDs treat them like real ones.
const (
	CompartmentID          = "ocid1.compartment.oc1..aaaaaaaasimcompartment"
	InstanceStopped        = "ocid1.instance.oc1.phx.simstopped0001"
	InstanceRunning        = "ocid1.instance.oc1.phx.simrunning0001"
	InstanceTerminated     = "ocid1.instance.oc1.phx.simterminated01"
	InstanceProvisioning   = "ocid1.instance.oc1.phx.simprovision01"
	PlatformImageID        = "ocid1.image.oc1.phx.simplatformimage01"
	fixtureTimeCreated     = "2016-08-25T21:10:29.600Z"
	fixtureRegion          = "phx"
	fixtureShape           = "VM.Standard.E4.Flex"
	fixtureOperatingSystem = "Oracle Linux"
	fixtureOSVersion       = "8"
)

// Instance lifecycle states, as the real service reports them.
const (
	StateMoving        = "MOVING"
	StateProvisioning  = "PROVISIONING"
	StateRunning       = "RUNNING"
	StateStarting      = "STARTING"
	StateStopping      = "STOPPING"
	StateStopped       = "STOPPED"
	StateCreatingImage = "CREATING_IMAGE"
	StateTerminating   = "TERMINATING"
	StateTerminated    = "TERMINATED"
)

// Image lifecycle states.
const (
	ImageProvisioning = "PROVISIONING"
	ImageImporting    = "IMPORTING"
	ImageAvailable    = "AVAILABLE"
	ImageExporting    = "EXPORTING"
	ImageDisabled     = "DISABLED"
	ImageDeleted      = "DELETED"
)

var instanceStates = map[string]bool{
	StateMoving: true, StateProvisioning: true, StateRunning: true, StateStarting: true, StateStopping: true,
	StateStopped: true, StateCreatingImage: true, StateTerminating: true, StateTerminated: true,
}

var imageStates = map[string]bool{
	ImageProvisioning: true, ImageImporting: true, ImageAvailable: true, ImageExporting: true,
	ImageDisabled: true, ImageDeleted: true,
}

// ShapeConfig is the instance's flexible-shape configuration.
type ShapeConfig struct {
	Ocpus       float64 `json:"ocpus"`
	MemoryInGBs float64 `json:"memoryInGBs"`
}

// Instance is the JSON form of a compute instance, with the fields of the real Instance schema that workflows
// read.
type Instance struct {
	ID                 string                    `json:"id"`
	CompartmentID      string                    `json:"compartmentId"`
	AvailabilityDomain string                    `json:"availabilityDomain"`
	FaultDomain        string                    `json:"faultDomain,omitempty"`
	DisplayName        string                    `json:"displayName,omitempty"`
	Region             string                    `json:"region"`
	Shape              string                    `json:"shape"`
	ShapeConfig        *ShapeConfig              `json:"shapeConfig,omitempty"`
	ImageID            string                    `json:"imageId,omitempty"`
	LaunchMode         string                    `json:"launchMode,omitempty"`
	LifecycleState     string                    `json:"lifecycleState"`
	Metadata           map[string]string         `json:"metadata,omitempty"`
	DefinedTags        map[string]map[string]any `json:"definedTags"`
	FreeformTags       map[string]string         `json:"freeformTags"`
	TimeCreated        string                    `json:"timeCreated"`
}

// Image is the JSON form of a boot image.
type Image struct {
	ID                     string                    `json:"id"`
	CompartmentID          string                    `json:"compartmentId"`
	BaseImageID            string                    `json:"baseImageId,omitempty"`
	CreateImageAllowed     bool                      `json:"createImageAllowed"`
	DisplayName            string                    `json:"displayName,omitempty"`
	LaunchMode             string                    `json:"launchMode,omitempty"`
	LifecycleState         string                    `json:"lifecycleState"`
	OperatingSystem        string                    `json:"operatingSystem"`
	OperatingSystemVersion string                    `json:"operatingSystemVersion"`
	SizeInMBs              int64                     `json:"sizeInMBs,omitempty"`
	BillableSizeInGBs      int64                     `json:"billableSizeInGBs,omitempty"`
	DefinedTags            map[string]map[string]any `json:"definedTags"`
	FreeformTags           map[string]string         `json:"freeformTags"`
	TimeCreated            string                    `json:"timeCreated"`
}

// WorkRequest is the JSON form of an asynchronous operation's work request.
type WorkRequest struct {
	ID              string                `json:"id"`
	OperationType   string                `json:"operationType"`
	Status          string                `json:"status"`
	CompartmentID   string                `json:"compartmentId"`
	Resources       []WorkRequestResource `json:"resources"`
	PercentComplete float64               `json:"percentComplete"`
	TimeAccepted    string                `json:"timeAccepted"`
	TimeStarted     string                `json:"timeStarted,omitempty"`
	TimeFinished    string                `json:"timeFinished,omitempty"`
}

// WorkRequestResource is a resource a work request acts on.
type WorkRequestResource struct {
	EntityType string `json:"entityType"`
	ActionType string `json:"actionType"`
	Identifier string `json:"identifier"`
	EntityURI  string `json:"entityUri,omitempty"`
}

// createImageDetails mirrors CreateImageDetails. Pointers tell "absent" from "empty".
type createImageDetails struct {
	CompartmentID      *string                   `json:"compartmentId"`
	DisplayName        *string                   `json:"displayName"`
	InstanceID         *string                   `json:"instanceId"`
	ImageSourceDetails *imageSourceDetails       `json:"imageSourceDetails"`
	LaunchMode         *string                   `json:"launchMode"`
	DefinedTags        map[string]map[string]any `json:"definedTags"`
	FreeformTags       map[string]string         `json:"freeformTags"`
}

type imageSourceDetails struct {
	SourceType             string `json:"sourceType"`
	OperatingSystem        string `json:"operatingSystem"`
	OperatingSystemVersion string `json:"operatingSystemVersion"`
}

type updateImageDetails struct {
	DisplayName            *string                   `json:"displayName"`
	OperatingSystem        *string                   `json:"operatingSystem"`
	OperatingSystemVersion *string                   `json:"operatingSystemVersion"`
	DefinedTags            map[string]map[string]any `json:"definedTags"`
	FreeformTags           map[string]string         `json:"freeformTags"`
}

// instanceRecord is the simulator's state for one instance.
type instanceRecord struct {
	Instance
	version         int
	operatingSystem string
	osVersion       string
	// stateBeforeImage is where the instance returns when the image it is being captured into settles.
	stateBeforeImage string
}

// imageRecord is the simulator's state for one image.
type imageRecord struct {
	Image
	version          int
	polls            int    // GET /images/{id} calls served while the image was provisioning
	sourceInstanceID string // the instance in CREATING_IMAGE because of this image, if any
	pollsUntilReady  int    // PROVISIONING reads before settling; negative means never
	settleState      string // AVAILABLE, or the failure state
	created          int64  // clock at creation, Unix nanoseconds, for the time-based mode
	workRequestID    string
	timeCreated      time.Time
	timeSettled      time.Time
	operationType    string // CreateImage or ImportImage, for the work request
}

// retryRecord is what an opc-retry-token stands for: the request it was first sent with, when, and what to
// answer a retry with.
type retryRecord struct {
	requestHash [32]byte
	at          time.Time
	imageID     string    // createImage: a retry answers the image as it is now, like OCI's read-after-create
	resp        *response // other operations: a retry answers the first response again
}

func fixtureInstances() []*instanceRecord {
	mk := func(id, name, state string) *instanceRecord {
		return &instanceRecord{
			Instance: Instance{
				ID:                 id,
				CompartmentID:      CompartmentID,
				AvailabilityDomain: "Uocm:PHX-AD-1",
				FaultDomain:        "FAULT-DOMAIN-1",
				DisplayName:        name,
				Region:             fixtureRegion,
				Shape:              fixtureShape,
				ShapeConfig:        &ShapeConfig{Ocpus: 1, MemoryInGBs: 16},
				ImageID:            PlatformImageID,
				LaunchMode:         "PARAVIRTUALIZED",
				LifecycleState:     state,
				DefinedTags:        map[string]map[string]any{},
				FreeformTags:       map[string]string{},
				TimeCreated:        fixtureTimeCreated,
			},
			version:         1,
			operatingSystem: fixtureOperatingSystem,
			osVersion:       fixtureOSVersion,
		}
	}
	return []*instanceRecord{
		mk(InstanceStopped, "sim-stopped", StateStopped),
		mk(InstanceRunning, "sim-running", StateRunning),
		mk(InstanceTerminated, "sim-terminated", StateTerminated),
		mk(InstanceProvisioning, "sim-provisioning", StateProvisioning),
	}
}

func fixtureImages() []*imageRecord {
	return []*imageRecord{{
		Image: Image{
			ID:                     PlatformImageID,
			CompartmentID:          CompartmentID,
			CreateImageAllowed:     true,
			DisplayName:            "Oracle-Linux-8-sim",
			LaunchMode:             "PARAVIRTUALIZED",
			LifecycleState:         ImageAvailable,
			OperatingSystem:        fixtureOperatingSystem,
			OperatingSystemVersion: fixtureOSVersion,
			SizeInMBs:              47694,
			BillableSizeInGBs:      1,
			DefinedTags:            map[string]map[string]any{},
			FreeformTags:           map[string]string{},
			TimeCreated:            fixtureTimeCreated,
		},
		version:         1,
		pollsUntilReady: 0,
		settleState:     ImageAvailable,
	}}
}
