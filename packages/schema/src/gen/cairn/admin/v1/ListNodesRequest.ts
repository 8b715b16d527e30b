// Original file: cairn/admin/v1/admin.proto


export interface ListNodesRequest {
}

export interface ListNodesRequest__Output {
}
