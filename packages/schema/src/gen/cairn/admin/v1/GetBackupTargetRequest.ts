// Original file: cairn/admin/v1/admin.proto


export interface GetBackupTargetRequest {
}

export interface GetBackupTargetRequest__Output {
}
