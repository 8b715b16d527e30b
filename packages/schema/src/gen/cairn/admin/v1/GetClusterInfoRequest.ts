// Original file: cairn/admin/v1/admin.proto


export interface GetClusterInfoRequest {
}

export interface GetClusterInfoRequest__Output {
}
