// Deployment settings of the dashboard: the only file to edit when the page is hosted elsewhere.
//
// apiBaseUrl: where the API lives, without the trailing /trpc. Empty = the page's own origin (the local
// runner serves both at http://127.0.0.1:3000). For a static host (S3 + CloudFront, or any other) set it
// to the HTTP API's URL, e.g. 'https://abc123.execute-api.eu-west-1.amazonaws.com', and deploy the API
// with DashboardOrigin set to the page's origin so CORS lets the browser call it.
export default {
  apiBaseUrl: '',
};
