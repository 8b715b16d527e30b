// Original file: cairn/admin/v1/admin.proto


export interface ListRecurringJobsRequest {
}

export interface ListRecurringJobsRequest__Output {
}
