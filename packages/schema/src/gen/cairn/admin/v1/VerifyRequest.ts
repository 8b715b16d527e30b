// Original file: cairn/admin/v1/admin.proto


export interface VerifyRequest {
}

export interface VerifyRequest__Output {
}
