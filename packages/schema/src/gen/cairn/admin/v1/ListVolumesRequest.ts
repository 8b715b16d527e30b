// Original file: cairn/admin/v1/admin.proto


export interface ListVolumesRequest {
}

export interface ListVolumesRequest__Output {
}
