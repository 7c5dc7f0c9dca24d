export type { BlobKey, BlobStore, BlobStoreConfig, ByteRange, StoredBlob } from "./blob-store.js";
export { DiskBlobStore } from "./disk-blob-store.js";
export {
  fileAccessFrom,
  type FileAccess,
  type FilesThreadConfig,
  type StorageCall,
  type StorageCallResult,
} from "./file-access.js";
export { FileStorage, type FileStorageOptions } from "./file-storage.js";
export { storageHttp } from "./storage-http.js";
export { isStorageSyscall, storageJsSyscall, storageSyscall } from "./storage-syscalls.js";
export { UploadTokens, UPLOAD_TOKEN_VALIDITY_MS } from "./upload-token.js";
export { loadOrCreateStorageSecret, DEFAULT_UPLOAD_LIMIT_BYTES } from "./storage-secret.js";
export { S3BlobStore, type S3Config } from "./s3-blob-store.js";
export { signRequest } from "./sigv4.js";
export { blobKeyOf, STORAGE_TABLE } from "./storage-id.js";
