import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class CreditPackDto {
  @ApiProperty({ example: 'starter' }) id: string;
  @ApiProperty({ example: 1000, description: 'Credits the pack adds' }) credits: number;
  @ApiProperty({ example: 1000, description: 'Price in the currency’s smallest unit (cents)' }) amount: number;
  @ApiProperty({ example: 'usd' }) currency: string;
  @ApiProperty({ example: '1,000 credits' }) name: string;
}

export class CreditPackListDto {
  @ApiProperty({ type: [CreditPackDto] }) data: CreditPackDto[];
}

export class CheckoutRequestDto {
  @ApiProperty({ example: 'starter', description: 'A pack id from GET /v1/billing/packs' })
  @IsString() @MaxLength(64) @Matches(/^[a-z0-9_-]+$/i)
  pack_id: string;
}

export class CheckoutDto {
  @ApiProperty({ example: 'cs_test_a1b2c3', description: 'The Stripe Checkout Session' }) session_id: string;
  @ApiProperty({ format: 'uri', description: 'Send the customer here to pay' }) checkout_url: string;
  @ApiProperty() pack_id: string;
  @ApiProperty() credits: number;
  @ApiProperty() amount: number;
  @ApiProperty() currency: string;
}

export class PaymentDto {
  @ApiProperty({ description: 'The Stripe Checkout Session' }) session_id: string;
  @ApiProperty() pack_id: string;
  @ApiProperty() credits: number;
  @ApiProperty() amount: number;
  @ApiProperty() currency: string;
  @ApiProperty({
    enum: ['open', 'paid', 'refunded', 'expired', 'failed'],
    description: '`open` until paid; `paid` once credited; `refunded` after a refund or dispute took credits back; `expired` or `failed` when never paid',
  })
  status: string;
  @ApiProperty({ description: 'Refunded so far, in the smallest unit' }) amount_refunded: number;
  @ApiProperty({ description: 'Disputed, in the smallest unit' }) amount_disputed: number;
  @ApiProperty({ description: 'Credits taken back (or owed) because of refunds and disputes' }) credits_reversed: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) paid_at: string | null;
}

export class PaymentPageDto {
  @ApiProperty({ type: [PaymentDto] }) data: PaymentDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class WebhookReceiptDto {
  @ApiProperty() received: boolean;
  @ApiProperty({ example: 'evt_1' }) event_id: string;
  @ApiProperty({
    enum: ['credited', 'already_credited', 'awaiting_payment', 'closed', 'reversed', 'nothing_to_reverse', 'unknown_session', 'not_paid', 'ignored', 'duplicate'],
    description: 'What the event did; `duplicate` when this event id was processed before',
  })
  outcome: string;
}
