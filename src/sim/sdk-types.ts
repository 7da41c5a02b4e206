// Response shapes taken from the SDK's own types, so a change of the API shape in a new SDK
// version breaks the simulator's compilation instead of its callers at run time.

import type {
  BatchModifyResponse,
  CancelResponse,
  OrderResponse,
  UpdateLeverageResponse,
} from "@nktkas/hyperliquid/api/exchange";
import type {
  ActiveAssetDataResponse,
  AllMidsResponse,
  AllPerpMetasResponse,
  ApprovedBuildersResponse,
  CandleSnapshotResponse,
  ClearinghouseStateResponse,
  DelegationsResponse,
  DelegatorHistoryResponse,
  DelegatorRewardsResponse,
  DelegatorSummaryResponse,
  ExtraAgentsResponse,
  FrontendOpenOrdersResponse,
  FundingHistoryResponse,
  L2BookResponse,
  LiquidatableResponse,
  MarginTableResponse,
  MaxMarketOrderNtlsResponse,
  MetaAndAssetCtxsResponse,
  MetaResponse,
  OpenOrdersResponse,
  OrderStatusResponse,
  PerpDexLimitsResponse,
  PerpDexStatusResponse,
  PerpDexsResponse,
  PerpsAtOpenInterestCapResponse,
  PortfolioResponse,
  PredictedFundingsResponse,
  RecentTradesResponse,
  SpotClearinghouseStateResponse,
  SpotMetaAndAssetCtxsResponse,
  SpotMetaResponse,
  SubAccounts2Response,
  SubAccountsResponse,
  TwapHistoryResponse,
  UserAbstractionResponse,
  UserDexAbstractionResponse,
  UserFeesResponse,
  UserFillsResponse,
  UserFundingResponse,
  UserNonFundingLedgerUpdatesResponse,
  UserRateLimitResponse,
  UserToMultiSigSignersResponse,
  UserTwapSliceFillsResponse,
  UserVaultEquitiesResponse,
  VaultDetailsResponse,
} from "@nktkas/hyperliquid/api/info";
import type {
  ActiveAssetCtxEvent,
  AllMidsEvent,
  BboEvent,
  ClearinghouseStateEvent,
  L2BookEvent,
  OpenOrdersEvent,
  OrderUpdatesEvent,
  TradesEvent,
  UserEventsEvent,
  UserFillsEvent,
  UserFundingsEvent,
  UserNonFundingLedgerUpdatesEvent,
  UserTwapSliceFillsEvent,
} from "@nktkas/hyperliquid/api/subscription";

export type {
  ActiveAssetCtxEvent,
  ActiveAssetDataResponse,
  AllMidsEvent,
  AllMidsResponse,
  AllPerpMetasResponse,
  ApprovedBuildersResponse,
  BatchModifyResponse,
  BboEvent,
  CancelResponse,
  CandleSnapshotResponse,
  ClearinghouseStateEvent,
  ClearinghouseStateResponse,
  DelegationsResponse,
  DelegatorHistoryResponse,
  DelegatorRewardsResponse,
  DelegatorSummaryResponse,
  ExtraAgentsResponse,
  FrontendOpenOrdersResponse,
  FundingHistoryResponse,
  L2BookEvent,
  L2BookResponse,
  LiquidatableResponse,
  MarginTableResponse,
  MaxMarketOrderNtlsResponse,
  MetaAndAssetCtxsResponse,
  MetaResponse,
  OpenOrdersEvent,
  OpenOrdersResponse,
  OrderResponse,
  OrderStatusResponse,
  OrderUpdatesEvent,
  PerpDexLimitsResponse,
  PerpDexStatusResponse,
  PerpDexsResponse,
  PerpsAtOpenInterestCapResponse,
  PortfolioResponse,
  PredictedFundingsResponse,
  RecentTradesResponse,
  SpotClearinghouseStateResponse,
  SpotMetaAndAssetCtxsResponse,
  SpotMetaResponse,
  SubAccounts2Response,
  SubAccountsResponse,
  TradesEvent,
  TwapHistoryResponse,
  UpdateLeverageResponse,
  UserAbstractionResponse,
  UserDexAbstractionResponse,
  UserEventsEvent,
  UserFeesResponse,
  UserFillsEvent,
  UserFillsResponse,
  UserFundingResponse,
  UserFundingsEvent,
  UserNonFundingLedgerUpdatesEvent,
  UserNonFundingLedgerUpdatesResponse,
  UserRateLimitResponse,
  UserToMultiSigSignersResponse,
  UserTwapSliceFillsEvent,
  UserTwapSliceFillsResponse,
  UserVaultEquitiesResponse,
  VaultDetailsResponse,
};

export type UserFill = UserFillsResponse[number];
export type FrontendOpenOrder = FrontendOpenOrdersResponse[number];
export type OpenOrder = OpenOrdersResponse[number];
export type OrderProcessingStatus = Extract<OrderStatusResponse, { status: "order" }>["order"]["status"];
export type OrderStatusEntry = OrderResponse["response"]["data"]["statuses"][number];
export type CancelStatusEntry = CancelResponse["response"]["data"]["statuses"][number];
export type LedgerUpdate = UserNonFundingLedgerUpdatesResponse[number];
export type FundingUpdate = UserFundingResponse[number];
export type AssetPosition = ClearinghouseStateResponse["assetPositions"][number];
export type PerpAssetCtx = MetaAndAssetCtxsResponse[1][number];
export type Candle = CandleSnapshotResponse[number];
export type CandleInterval = Candle["i"];
export type L2Level = NonNullable<L2BookResponse>["levels"][0][number];
export type RecentTrade = RecentTradesResponse[number];
/** The generic `{"status":"ok","response":{"type":"default"}}` / `{"status":"err",…}` reply. */
export type DefaultResponse = UpdateLeverageResponse;
export type ErrResponse = Extract<DefaultResponse, { status: "err" }>;
